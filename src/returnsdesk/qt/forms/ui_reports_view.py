# Generated from ui/reports_view.ui by scripts/build_forms.py. Do not edit: edit the .ui file.
from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QApplication, QComboBox, QDateEdit, QDateTimeEdit,
    QFormLayout, QHBoxLayout, QLabel, QLineEdit,
    QProgressBar, QPushButton, QSizePolicy, QSpacerItem,
    QVBoxLayout, QWidget)

from returnsdesk.qt.pdf_preview import PdfPreview

class Ui_ReportsView(object):
    def setupUi(self, ReportsView):
        if not ReportsView.objectName():
            ReportsView.setObjectName(u"ReportsView")
        ReportsView.resize(1200, 700)
        self.rootLayout = QHBoxLayout(ReportsView)
        self.rootLayout.setObjectName(u"rootLayout")
        self.side = QWidget(ReportsView)
        self.side.setObjectName(u"side")
        self.controlsLayout = QVBoxLayout(self.side)
        self.controlsLayout.setObjectName(u"controlsLayout")
        self.controlsLayout.setContentsMargins(0, 0, 0, 0)
        self.form = QFormLayout()
        self.form.setObjectName(u"form")
        self.kindLabel = QLabel(self.side)
        self.kindLabel.setObjectName(u"kindLabel")
        self.kindLabel.setTextFormat(Qt.TextFormat.PlainText)

        self.form.setWidget(0, QFormLayout.ItemRole.LabelRole, self.kindLabel)

        self.kindCombo = QComboBox(self.side)
        self.kindCombo.setObjectName(u"kindCombo")

        self.form.setWidget(0, QFormLayout.ItemRole.FieldRole, self.kindCombo)

        self.periodLabel = QLabel(self.side)
        self.periodLabel.setObjectName(u"periodLabel")
        self.periodLabel.setTextFormat(Qt.TextFormat.PlainText)

        self.form.setWidget(1, QFormLayout.ItemRole.LabelRole, self.periodLabel)

        self.periodCombo = QComboBox(self.side)
        self.periodCombo.setObjectName(u"periodCombo")

        self.form.setWidget(1, QFormLayout.ItemRole.FieldRole, self.periodCombo)

        self.dayLabel = QLabel(self.side)
        self.dayLabel.setObjectName(u"dayLabel")
        self.dayLabel.setTextFormat(Qt.TextFormat.PlainText)

        self.form.setWidget(2, QFormLayout.ItemRole.LabelRole, self.dayLabel)

        self.dayEdit = QDateEdit(self.side)
        self.dayEdit.setObjectName(u"dayEdit")
        self.dayEdit.setCalendarPopup(True)

        self.form.setWidget(2, QFormLayout.ItemRole.FieldRole, self.dayEdit)

        self.fromLabel = QLabel(self.side)
        self.fromLabel.setObjectName(u"fromLabel")
        self.fromLabel.setTextFormat(Qt.TextFormat.PlainText)

        self.form.setWidget(3, QFormLayout.ItemRole.LabelRole, self.fromLabel)

        self.fromEdit = QDateTimeEdit(self.side)
        self.fromEdit.setObjectName(u"fromEdit")

        self.form.setWidget(3, QFormLayout.ItemRole.FieldRole, self.fromEdit)

        self.toLabel = QLabel(self.side)
        self.toLabel.setObjectName(u"toLabel")
        self.toLabel.setTextFormat(Qt.TextFormat.PlainText)

        self.form.setWidget(4, QFormLayout.ItemRole.LabelRole, self.toLabel)

        self.toEdit = QDateTimeEdit(self.side)
        self.toEdit.setObjectName(u"toEdit")

        self.form.setWidget(4, QFormLayout.ItemRole.FieldRole, self.toEdit)

        self.stationLabel = QLabel(self.side)
        self.stationLabel.setObjectName(u"stationLabel")
        self.stationLabel.setTextFormat(Qt.TextFormat.PlainText)

        self.form.setWidget(5, QFormLayout.ItemRole.LabelRole, self.stationLabel)

        self.stationCombo = QComboBox(self.side)
        self.stationCombo.setObjectName(u"stationCombo")

        self.form.setWidget(5, QFormLayout.ItemRole.FieldRole, self.stationCombo)

        self.shopLabel = QLabel(self.side)
        self.shopLabel.setObjectName(u"shopLabel")
        self.shopLabel.setTextFormat(Qt.TextFormat.PlainText)

        self.form.setWidget(6, QFormLayout.ItemRole.LabelRole, self.shopLabel)

        self.shopCombo = QComboBox(self.side)
        self.shopCombo.setObjectName(u"shopCombo")

        self.form.setWidget(6, QFormLayout.ItemRole.FieldRole, self.shopCombo)

        self.returnLabel = QLabel(self.side)
        self.returnLabel.setObjectName(u"returnLabel")
        self.returnLabel.setTextFormat(Qt.TextFormat.PlainText)

        self.form.setWidget(7, QFormLayout.ItemRole.LabelRole, self.returnLabel)

        self.rmaEdit = QLineEdit(self.side)
        self.rmaEdit.setObjectName(u"rmaEdit")

        self.form.setWidget(7, QFormLayout.ItemRole.FieldRole, self.rmaEdit)


        self.controlsLayout.addLayout(self.form)

        self.generateButton = QPushButton(self.side)
        self.generateButton.setObjectName(u"generateButton")

        self.controlsLayout.addWidget(self.generateButton)

        self.printButton = QPushButton(self.side)
        self.printButton.setObjectName(u"printButton")

        self.controlsLayout.addWidget(self.printButton)

        self.saveButton = QPushButton(self.side)
        self.saveButton.setObjectName(u"saveButton")

        self.controlsLayout.addWidget(self.saveButton)

        self.csvButton = QPushButton(self.side)
        self.csvButton.setObjectName(u"csvButton")

        self.controlsLayout.addWidget(self.csvButton)

        self.progress = QProgressBar(self.side)
        self.progress.setObjectName(u"progress")
        self.progress.setVisible(False)
        self.progress.setValue(0)

        self.controlsLayout.addWidget(self.progress)

        self.message = QLabel(self.side)
        self.message.setObjectName(u"message")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)

        self.controlsLayout.addWidget(self.message)

        self.controlsSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.controlsLayout.addItem(self.controlsSpacer)


        self.rootLayout.addWidget(self.side)

        self.preview = PdfPreview(ReportsView)
        self.preview.setObjectName(u"preview")

        self.rootLayout.addWidget(self.preview)

        self.rootLayout.setStretch(1, 1)
        self.kindLabel.setBuddy(self.kindCombo)
        self.periodLabel.setBuddy(self.periodCombo)
        self.dayLabel.setBuddy(self.dayEdit)
        self.fromLabel.setBuddy(self.fromEdit)
        self.toLabel.setBuddy(self.toEdit)
        self.stationLabel.setBuddy(self.stationCombo)
        self.shopLabel.setBuddy(self.shopCombo)
        self.returnLabel.setBuddy(self.rmaEdit)
        QWidget.setTabOrder(self.kindCombo, self.periodCombo)
        QWidget.setTabOrder(self.periodCombo, self.dayEdit)
        QWidget.setTabOrder(self.dayEdit, self.fromEdit)
        QWidget.setTabOrder(self.fromEdit, self.toEdit)
        QWidget.setTabOrder(self.toEdit, self.stationCombo)
        QWidget.setTabOrder(self.stationCombo, self.shopCombo)
        QWidget.setTabOrder(self.shopCombo, self.rmaEdit)
        QWidget.setTabOrder(self.rmaEdit, self.generateButton)
        QWidget.setTabOrder(self.generateButton, self.printButton)
        QWidget.setTabOrder(self.printButton, self.saveButton)
        QWidget.setTabOrder(self.saveButton, self.csvButton)

        self.retranslateUi(ReportsView)

        QMetaObject.connectSlotsByName(ReportsView)
    # setupUi

    def retranslateUi(self, ReportsView):
        self.kindLabel.setText(QCoreApplication.translate("ReportsView", u"Report", None))
        self.periodLabel.setText(QCoreApplication.translate("ReportsView", u"Period", None))
        self.dayLabel.setText(QCoreApplication.translate("ReportsView", u"Day", None))
        self.dayEdit.setDisplayFormat(QCoreApplication.translate("ReportsView", u"ddd dd MMM yyyy", None))
        self.fromLabel.setText(QCoreApplication.translate("ReportsView", u"From", None))
        self.fromEdit.setDisplayFormat(QCoreApplication.translate("ReportsView", u"yyyy-MM-dd HH:mm", None))
        self.toLabel.setText(QCoreApplication.translate("ReportsView", u"To", None))
        self.toEdit.setDisplayFormat(QCoreApplication.translate("ReportsView", u"yyyy-MM-dd HH:mm", None))
        self.stationLabel.setText(QCoreApplication.translate("ReportsView", u"Stations", None))
        self.shopLabel.setText(QCoreApplication.translate("ReportsView", u"Shop", None))
        self.returnLabel.setText(QCoreApplication.translate("ReportsView", u"Return", None))
        self.rmaEdit.setPlaceholderText(QCoreApplication.translate("ReportsView", u"RMA number, e.g. RMA-100001", None))
        self.generateButton.setText(QCoreApplication.translate("ReportsView", u"Generate (Enter)", None))
        self.printButton.setText(QCoreApplication.translate("ReportsView", u"Print\u2026 (Ctrl+P)", None))
        self.saveButton.setText(QCoreApplication.translate("ReportsView", u"Save PDF\u2026 (Ctrl+S)", None))
        self.csvButton.setText(QCoreApplication.translate("ReportsView", u"Export CSV\u2026 (Ctrl+E)", None))
        self.message.setText(QCoreApplication.translate("ReportsView", u"Choose a report and press Enter.", None))
        self.message.setAccessibleName(QCoreApplication.translate("ReportsView", u"Reports message", None))
        pass
    # retranslateUi
