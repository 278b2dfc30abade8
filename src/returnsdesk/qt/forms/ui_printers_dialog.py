# Generated from ui/printers_dialog.ui by scripts/build_forms.py. Do not edit: edit the .ui file.
from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QAbstractButton, QApplication, QDialog, QDialogButtonBox,
    QFormLayout, QHBoxLayout, QLabel, QPushButton,
    QSizePolicy, QVBoxLayout, QWidget)

from returnsdesk.qt.plain import ElidedLabel

class Ui_PrintersDialog(object):
    def setupUi(self, PrintersDialog):
        if not PrintersDialog.objectName():
            PrintersDialog.setObjectName(u"PrintersDialog")
        PrintersDialog.resize(520, 220)
        self.rootLayout = QVBoxLayout(PrintersDialog)
        self.rootLayout.setObjectName(u"rootLayout")
        self.form = QFormLayout()
        self.form.setObjectName(u"form")
        self.printerLabel = QLabel(PrintersDialog)
        self.printerLabel.setObjectName(u"printerLabel")
        self.printerLabel.setTextFormat(Qt.TextFormat.PlainText)

        self.form.setWidget(0, QFormLayout.ItemRole.LabelRole, self.printerLabel)

        self.printerValue = ElidedLabel(PrintersDialog)
        self.printerValue.setObjectName(u"printerValue")

        self.form.setWidget(0, QFormLayout.ItemRole.FieldRole, self.printerValue)

        self.sendsToLabel = QLabel(PrintersDialog)
        self.sendsToLabel.setObjectName(u"sendsToLabel")
        self.sendsToLabel.setTextFormat(Qt.TextFormat.PlainText)

        self.form.setWidget(1, QFormLayout.ItemRole.LabelRole, self.sendsToLabel)

        self.sendsToValue = ElidedLabel(PrintersDialog)
        self.sendsToValue.setObjectName(u"sendsToValue")

        self.form.setWidget(1, QFormLayout.ItemRole.FieldRole, self.sendsToValue)

        self.sizeLabel = QLabel(PrintersDialog)
        self.sizeLabel.setObjectName(u"sizeLabel")
        self.sizeLabel.setTextFormat(Qt.TextFormat.PlainText)

        self.form.setWidget(2, QFormLayout.ItemRole.LabelRole, self.sizeLabel)

        self.sizeValue = ElidedLabel(PrintersDialog)
        self.sizeValue.setObjectName(u"sizeValue")

        self.form.setWidget(2, QFormLayout.ItemRole.FieldRole, self.sizeValue)


        self.rootLayout.addLayout(self.form)

        self.outcome = QLabel(PrintersDialog)
        self.outcome.setObjectName(u"outcome")
        self.outcome.setTextFormat(Qt.TextFormat.PlainText)
        self.outcome.setWordWrap(True)

        self.rootLayout.addWidget(self.outcome)

        self.buttonRow = QHBoxLayout()
        self.buttonRow.setObjectName(u"buttonRow")
        self.testButton = QPushButton(PrintersDialog)
        self.testButton.setObjectName(u"testButton")

        self.buttonRow.addWidget(self.testButton)

        self.buttonBox = QDialogButtonBox(PrintersDialog)
        self.buttonBox.setObjectName(u"buttonBox")
        self.buttonBox.setStandardButtons(QDialogButtonBox.StandardButton.Close)

        self.buttonRow.addWidget(self.buttonBox)


        self.rootLayout.addLayout(self.buttonRow)


        self.retranslateUi(PrintersDialog)
        self.buttonBox.rejected.connect(PrintersDialog.reject)

        QMetaObject.connectSlotsByName(PrintersDialog)
    # setupUi

    def retranslateUi(self, PrintersDialog):
        PrintersDialog.setWindowTitle(QCoreApplication.translate("PrintersDialog", u"Printers", None))
        self.printerLabel.setText(QCoreApplication.translate("PrintersDialog", u"Label printer:", None))
        self.printerValue.setText("")
        self.sendsToLabel.setText(QCoreApplication.translate("PrintersDialog", u"Sends to:", None))
        self.sendsToValue.setText("")
        self.sizeLabel.setText(QCoreApplication.translate("PrintersDialog", u"Label size:", None))
        self.sizeValue.setText("")
        self.outcome.setText("")
        self.outcome.setAccessibleName(QCoreApplication.translate("PrintersDialog", u"Test print outcome", None))
        self.testButton.setText(QCoreApplication.translate("PrintersDialog", u"&Test print (T)", None))
        self.testButton.setShortcut(QCoreApplication.translate("PrintersDialog", u"T", None))
    # retranslateUi
