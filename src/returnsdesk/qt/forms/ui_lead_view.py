# Generated from ui/lead_view.ui by scripts/build_forms.py. Do not edit: edit the .ui file.
from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QComboBox, QGridLayout,
    QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QPushButton, QSizePolicy, QSpacerItem, QTableView,
    QVBoxLayout, QWidget)

class Ui_LeadView(object):
    def setupUi(self, LeadView):
        if not LeadView.objectName():
            LeadView.setObjectName(u"LeadView")
        LeadView.resize(1300, 700)
        self.rootLayout = QVBoxLayout(LeadView)
        self.rootLayout.setObjectName(u"rootLayout")
        self.topRow = QHBoxLayout()
        self.topRow.setObjectName(u"topRow")
        self.message = QLabel(LeadView)
        self.message.setObjectName(u"message")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)

        self.topRow.addWidget(self.message)

        self.unlockButton = QPushButton(LeadView)
        self.unlockButton.setObjectName(u"unlockButton")

        self.topRow.addWidget(self.unlockButton)

        self.refreshButton = QPushButton(LeadView)
        self.refreshButton.setObjectName(u"refreshButton")

        self.topRow.addWidget(self.refreshButton)

        self.topRow.setStretch(0, 1)

        self.rootLayout.addLayout(self.topRow)

        self.columns = QHBoxLayout()
        self.columns.setObjectName(u"columns")
        self.leftColumn = QVBoxLayout()
        self.leftColumn.setObjectName(u"leftColumn")
        self.refundsHeading = QLabel(LeadView)
        self.refundsHeading.setObjectName(u"refundsHeading")
        self.refundsHeading.setTextFormat(Qt.TextFormat.PlainText)

        self.leftColumn.addWidget(self.refundsHeading)

        self.refundsTable = QTableView(LeadView)
        self.refundsTable.setObjectName(u"refundsTable")
        self.refundsTable.setTabKeyNavigation(False)
        self.refundsTable.setAlternatingRowColors(True)
        self.refundsTable.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.refundsTable.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)

        self.leftColumn.addWidget(self.refundsTable)

        self.refundLines = QLabel(LeadView)
        self.refundLines.setObjectName(u"refundLines")
        self.refundLines.setTextFormat(Qt.TextFormat.PlainText)
        self.refundLines.setWordWrap(True)

        self.leftColumn.addWidget(self.refundLines)

        self.refundButtons = QHBoxLayout()
        self.refundButtons.setObjectName(u"refundButtons")
        self.approveButton = QPushButton(LeadView)
        self.approveButton.setObjectName(u"approveButton")

        self.refundButtons.addWidget(self.approveButton)

        self.rejectButton = QPushButton(LeadView)
        self.rejectButton.setObjectName(u"rejectButton")

        self.refundButtons.addWidget(self.rejectButton)

        self.refundButtonsSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.refundButtons.addItem(self.refundButtonsSpacer)


        self.leftColumn.addLayout(self.refundButtons)

        self.recoveryHeading = QLabel(LeadView)
        self.recoveryHeading.setObjectName(u"recoveryHeading")
        self.recoveryHeading.setTextFormat(Qt.TextFormat.PlainText)

        self.leftColumn.addWidget(self.recoveryHeading)

        self.recoveryTable = QTableView(LeadView)
        self.recoveryTable.setObjectName(u"recoveryTable")
        self.recoveryTable.setTabKeyNavigation(False)
        self.recoveryTable.setAlternatingRowColors(True)
        self.recoveryTable.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.recoveryTable.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)

        self.leftColumn.addWidget(self.recoveryTable)

        self.recoveryDetails = QLabel(LeadView)
        self.recoveryDetails.setObjectName(u"recoveryDetails")
        self.recoveryDetails.setTextFormat(Qt.TextFormat.PlainText)
        self.recoveryDetails.setWordWrap(True)

        self.leftColumn.addWidget(self.recoveryDetails)

        self.recoveryButtons = QHBoxLayout()
        self.recoveryButtons.setObjectName(u"recoveryButtons")
        self.recoveredButton = QPushButton(LeadView)
        self.recoveredButton.setObjectName(u"recoveredButton")

        self.recoveryButtons.addWidget(self.recoveredButton)

        self.writeOffButton = QPushButton(LeadView)
        self.writeOffButton.setObjectName(u"writeOffButton")

        self.recoveryButtons.addWidget(self.writeOffButton)

        self.disputedButton = QPushButton(LeadView)
        self.disputedButton.setObjectName(u"disputedButton")

        self.recoveryButtons.addWidget(self.disputedButton)

        self.recoveryButtonsSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.recoveryButtons.addItem(self.recoveryButtonsSpacer)


        self.leftColumn.addLayout(self.recoveryButtons)

        self.messagesHeadingRow = QHBoxLayout()
        self.messagesHeadingRow.setObjectName(u"messagesHeadingRow")
        self.messagesHeading = QLabel(LeadView)
        self.messagesHeading.setObjectName(u"messagesHeading")
        self.messagesHeading.setTextFormat(Qt.TextFormat.PlainText)

        self.messagesHeadingRow.addWidget(self.messagesHeading)

        self.messagesHeadingSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.messagesHeadingRow.addItem(self.messagesHeadingSpacer)

        self.rmaLabel = QLabel(LeadView)
        self.rmaLabel.setObjectName(u"rmaLabel")
        self.rmaLabel.setTextFormat(Qt.TextFormat.PlainText)

        self.messagesHeadingRow.addWidget(self.rmaLabel)

        self.rmaEdit = QLineEdit(LeadView)
        self.rmaEdit.setObjectName(u"rmaEdit")
        self.rmaEdit.setMaxLength(64)

        self.messagesHeadingRow.addWidget(self.rmaEdit)


        self.leftColumn.addLayout(self.messagesHeadingRow)

        self.messagesTable = QTableView(LeadView)
        self.messagesTable.setObjectName(u"messagesTable")
        self.messagesTable.setTabKeyNavigation(False)
        self.messagesTable.setAlternatingRowColors(True)
        self.messagesTable.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.messagesTable.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)

        self.leftColumn.addWidget(self.messagesTable)

        self.messageButtons = QHBoxLayout()
        self.messageButtons.setObjectName(u"messageButtons")
        self.resendMessageButton = QPushButton(LeadView)
        self.resendMessageButton.setObjectName(u"resendMessageButton")

        self.messageButtons.addWidget(self.resendMessageButton)

        self.messageButtonsSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.messageButtons.addItem(self.messageButtonsSpacer)

        self.shopLabel = QLabel(LeadView)
        self.shopLabel.setObjectName(u"shopLabel")
        self.shopLabel.setTextFormat(Qt.TextFormat.PlainText)

        self.messageButtons.addWidget(self.shopLabel)

        self.shopCombo = QComboBox(LeadView)
        self.shopCombo.setObjectName(u"shopCombo")

        self.messageButtons.addWidget(self.shopCombo)


        self.leftColumn.addLayout(self.messageButtons)

        self.leftColumnEnd = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.leftColumn.addItem(self.leftColumnEnd)

        self.leftColumn.setStretch(1, 2)
        self.leftColumn.setStretch(5, 2)
        self.leftColumn.setStretch(9, 2)

        self.columns.addLayout(self.leftColumn)

        self.rightColumn = QVBoxLayout()
        self.rightColumn.setObjectName(u"rightColumn")
        self.syncHeading = QLabel(LeadView)
        self.syncHeading.setObjectName(u"syncHeading")
        self.syncHeading.setTextFormat(Qt.TextFormat.PlainText)

        self.rightColumn.addWidget(self.syncHeading)

        self.syncState = QLabel(LeadView)
        self.syncState.setObjectName(u"syncState")
        self.syncState.setTextFormat(Qt.TextFormat.PlainText)
        self.syncState.setWordWrap(True)

        self.rightColumn.addWidget(self.syncState)

        self.eventsTable = QTableView(LeadView)
        self.eventsTable.setObjectName(u"eventsTable")
        self.eventsTable.setTabKeyNavigation(False)
        self.eventsTable.setAlternatingRowColors(True)
        self.eventsTable.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.eventsTable.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)

        self.rightColumn.addWidget(self.eventsTable)

        self.eventButtons = QHBoxLayout()
        self.eventButtons.setObjectName(u"eventButtons")
        self.retryButton = QPushButton(LeadView)
        self.retryButton.setObjectName(u"retryButton")

        self.eventButtons.addWidget(self.retryButton)

        self.resendButton = QPushButton(LeadView)
        self.resendButton.setObjectName(u"resendButton")

        self.eventButtons.addWidget(self.resendButton)

        self.resolveButton = QPushButton(LeadView)
        self.resolveButton.setObjectName(u"resolveButton")

        self.eventButtons.addWidget(self.resolveButton)

        self.eventButtonsSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.eventButtons.addItem(self.eventButtonsSpacer)


        self.rightColumn.addLayout(self.eventButtons)

        self.regradeHeading = QLabel(LeadView)
        self.regradeHeading.setObjectName(u"regradeHeading")
        self.regradeHeading.setTextFormat(Qt.TextFormat.PlainText)

        self.rightColumn.addWidget(self.regradeHeading)

        self.regradeTask = QLabel(LeadView)
        self.regradeTask.setObjectName(u"regradeTask")
        self.regradeTask.setTextFormat(Qt.TextFormat.PlainText)
        self.regradeTask.setWordWrap(True)

        self.rightColumn.addWidget(self.regradeTask)

        self.regradeKeys = QGridLayout()
        self.regradeKeys.setObjectName(u"regradeKeys")

        self.rightColumn.addLayout(self.regradeKeys)

        self.agreementSummary = QLabel(LeadView)
        self.agreementSummary.setObjectName(u"agreementSummary")
        self.agreementSummary.setTextFormat(Qt.TextFormat.PlainText)
        self.agreementSummary.setWordWrap(True)

        self.rightColumn.addWidget(self.agreementSummary)

        self.agreementTable = QTableView(LeadView)
        self.agreementTable.setObjectName(u"agreementTable")
        self.agreementTable.setTabKeyNavigation(False)
        self.agreementTable.setAlternatingRowColors(True)
        self.agreementTable.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)

        self.rightColumn.addWidget(self.agreementTable)

        self.rightColumnEnd = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.rightColumn.addItem(self.rightColumnEnd)

        self.rightColumn.setStretch(2, 3)
        self.rightColumn.setStretch(8, 2)

        self.columns.addLayout(self.rightColumn)

        self.columns.setStretch(0, 1)
        self.columns.setStretch(1, 1)

        self.rootLayout.addLayout(self.columns)

        self.rootLayout.setStretch(1, 1)
        self.refundsHeading.setBuddy(self.refundsTable)
        self.recoveryHeading.setBuddy(self.recoveryTable)
        self.messagesHeading.setBuddy(self.messagesTable)
        self.rmaLabel.setBuddy(self.rmaEdit)
        self.shopLabel.setBuddy(self.shopCombo)
        self.syncHeading.setBuddy(self.eventsTable)
        QWidget.setTabOrder(self.refundsTable, self.approveButton)
        QWidget.setTabOrder(self.approveButton, self.rejectButton)
        QWidget.setTabOrder(self.rejectButton, self.recoveryTable)
        QWidget.setTabOrder(self.recoveryTable, self.recoveredButton)
        QWidget.setTabOrder(self.recoveredButton, self.writeOffButton)
        QWidget.setTabOrder(self.writeOffButton, self.disputedButton)
        QWidget.setTabOrder(self.disputedButton, self.rmaEdit)
        QWidget.setTabOrder(self.rmaEdit, self.shopCombo)
        QWidget.setTabOrder(self.shopCombo, self.messagesTable)
        QWidget.setTabOrder(self.messagesTable, self.resendMessageButton)
        QWidget.setTabOrder(self.resendMessageButton, self.eventsTable)
        QWidget.setTabOrder(self.eventsTable, self.retryButton)
        QWidget.setTabOrder(self.retryButton, self.resendButton)
        QWidget.setTabOrder(self.resendButton, self.resolveButton)
        QWidget.setTabOrder(self.resolveButton, self.unlockButton)
        QWidget.setTabOrder(self.unlockButton, self.refreshButton)
        QWidget.setTabOrder(self.refreshButton, self.agreementTable)

        self.retranslateUi(LeadView)

        QMetaObject.connectSlotsByName(LeadView)
    # setupUi

    def retranslateUi(self, LeadView):
        self.message.setText("")
        self.message.setAccessibleName(QCoreApplication.translate("LeadView", u"Shift lead message", None))
        self.unlockButton.setText(QCoreApplication.translate("LeadView", u"Unlock a badge (U)", None))
        self.refreshButton.setText(QCoreApplication.translate("LeadView", u"Refresh (F5)", None))
        self.refundsHeading.setText(QCoreApplication.translate("LeadView", u"Refunds waiting for approval", None))
        self.refundsTable.setAccessibleName(QCoreApplication.translate("LeadView", u"Refunds waiting for approval", None))
        self.refundLines.setText("")
        self.approveButton.setText(QCoreApplication.translate("LeadView", u"Approve (A)", None))
        self.rejectButton.setText(QCoreApplication.translate("LeadView", u"Reject (R)", None))
        self.recoveryHeading.setText(QCoreApplication.translate("LeadView", u"Recovery cases: refunds paid on receipt", None))
        self.recoveryTable.setAccessibleName(QCoreApplication.translate("LeadView", u"Open recovery cases", None))
        self.recoveryDetails.setText("")
        self.recoveryDetails.setAccessibleName(QCoreApplication.translate("LeadView", u"The selected recovery case", None))
        self.recoveredButton.setText(QCoreApplication.translate("LeadView", u"Recovered (C)", None))
        self.recoveredButton.setToolTip(QCoreApplication.translate("LeadView", u"Close the case: the customer paid the difference back", None))
        self.writeOffButton.setText(QCoreApplication.translate("LeadView", u"Write off (W)", None))
        self.writeOffButton.setToolTip(QCoreApplication.translate("LeadView", u"Close the case: the difference is not chased", None))
        self.disputedButton.setText(QCoreApplication.translate("LeadView", u"Customer disputes (D)", None))
        self.disputedButton.setToolTip(QCoreApplication.translate("LeadView", u"Close the case: the customer disputes what inspection found", None))
        self.messagesHeading.setText(QCoreApplication.translate("LeadView", u"Customer messages", None))
        self.rmaLabel.setText(QCoreApplication.translate("LeadView", u"&Return (RMA):", None))
        self.rmaEdit.setPlaceholderText(QCoreApplication.translate("LeadView", u"RMA, then Enter", None))
        self.rmaEdit.setAccessibleName(QCoreApplication.translate("LeadView", u"Return whose messages are shown", None))
        self.messagesTable.setAccessibleName(QCoreApplication.translate("LeadView", u"Messages sent to the customer for the return", None))
        self.resendMessageButton.setText(QCoreApplication.translate("LeadView", u"Send again (S)", None))
        self.resendMessageButton.setToolTip(QCoreApplication.translate("LeadView", u"Queue the selected message again for the customer (a new message, audited)", None))
        self.shopLabel.setText(QCoreApplication.translate("LeadView", u"Shop of the return:", None))
        self.shopCombo.setToolTip(QCoreApplication.translate("LeadView", u"Whose return it is, when several shops use the RMA number", None))
        self.shopCombo.setAccessibleName(QCoreApplication.translate("LeadView", u"Shop of the return whose messages are shown", None))
        self.syncHeading.setText(QCoreApplication.translate("LeadView", u"Order system", None))
        self.syncState.setText(QCoreApplication.translate("LeadView", u"Checking\u2026", None))
        self.syncState.setAccessibleName(QCoreApplication.translate("LeadView", u"Order system state", None))
        self.eventsTable.setAccessibleName(QCoreApplication.translate("LeadView", u"Order system events that need a person", None))
        self.retryButton.setText(QCoreApplication.translate("LeadView", u"Retry (T)", None))
        self.resendButton.setText(QCoreApplication.translate("LeadView", u"Resend, new key (N)", None))
        self.resendButton.setToolTip(QCoreApplication.translate("LeadView", u"Only when the shop says the event's key applied nothing: after a refusal was fixed in the shop", None))
        self.resolveButton.setText(QCoreApplication.translate("LeadView", u"Mark resolved (M)", None))
        self.regradeHeading.setText(QCoreApplication.translate("LeadView", u"Grader consistency", None))
        self.regradeTask.setText("")
        self.regradeTask.setAccessibleName(QCoreApplication.translate("LeadView", u"The unit to grade again, blind", None))
        self.agreementSummary.setText("")
        self.agreementSummary.setAccessibleName(QCoreApplication.translate("LeadView", u"How well graders agreed", None))
        self.agreementTable.setAccessibleName(QCoreApplication.translate("LeadView", u"Agreement per inspector", None))
        pass
    # retranslateUi
